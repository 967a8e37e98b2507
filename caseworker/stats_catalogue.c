/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_catalogue: the language catalogue of the statistics outputs (see
 * stats_catalogue.h).
 */
#include "stats_catalogue.h"

#include <string.h>

static const char *const LANGS[STATS_NLANG] = {"en",    "es", "fr",
                                               "pt-BR", "th", "ar"};

static const char *const MSG[STATS_NLANG][STATS_NMSG] = {
    [STATS_L_EN] =
        {"Reports received by {1}",
         " and ",
         "Total",
         "Reports",
         "Reports received from {1} to {2}. Exported {3}.",
         "These figures count reports received by the organisation. They are "
         "not a measure of how often violations happen: most violations are "
         "never reported.",
         "{1}: fewer than {2} reports; the exact number is hidden to protect "
         "the people who reported.",
         "{1}: hidden so that a small number cannot be worked out from the "
         "totals.",
         "Other figures are rounded to the nearest {1}; each total is rounded "
         "on its own, so rows may not add up to the total.",
         "One report can count in several categories or needs: totals count "
         "reports, not the sum of the rows.",
         "Random noise was added before rounding (discrete Laplace, epsilon = "
         "{1}), so small differences between figures mean nothing.",
         "Draft for internal use: not recorded in the publication ledger.",
         "Combined from {1} organisations' published figures, each already "
         "protected; a report sent to two organisations counts twice.",
         "Only the largest series are drawn; the table has them all.",
         "period",
         "type of incident",
         "perpetrator",
         "region",
         "reporter's language",
         "needs stated"},
    [STATS_L_ES] =
        {"Reportes recibidos por {1}",
         " y ",
         "Total",
         "Reportes",
         "Reportes recibidos del {1} al {2}. Exportado el {3}.",
         "Estas cifras cuentan los reportes recibidos por la organización. No "
         "miden con qué frecuencia ocurren las violaciones: la mayoría nunca "
         "se reporta.",
         "{1}: menos de {2} reportes; la cifra exacta se oculta para proteger "
         "a quienes reportaron.",
         "{1}: oculto para que no se pueda deducir una cifra pequeña a partir "
         "de los totales.",
         "Las demás cifras se redondean al múltiplo de {1} más cercano; cada "
         "total se redondea por separado, por lo que las filas pueden no "
         "sumar el total.",
         "Un reporte puede contar en varias categorías o necesidades: los "
         "totales cuentan reportes, no la suma de las filas.",
         "Se añadió ruido aleatorio antes del redondeo (Laplace discreta, "
         "épsilon = {1}), así que las pequeñas diferencias no significan "
         "nada.",
         "Borrador para uso interno: no registrado en el registro de "
         "publicaciones.",
         "Combinado a partir de las cifras publicadas de {1} organizaciones, "
         "ya protegidas; un reporte enviado a dos organizaciones cuenta dos "
         "veces.",
         "Solo se dibujan las series más grandes; la tabla las tiene todas.",
         "periodo",
         "tipo de incidente",
         "agresor",
         "región",
         "idioma de quien reporta",
         "necesidades expresadas"},
    [STATS_L_FR] =
        {"Signalements reçus par {1}",
         " et ",
         "Total",
         "Signalements",
         "Signalements reçus du {1} au {2}. Exporté le {3}.",
         "Ces chiffres comptent les signalements reçus par l'organisation. "
         "Ils ne mesurent pas la fréquence des violations : la plupart ne "
         "sont jamais signalées.",
         "{1} : moins de {2} signalements ; le nombre exact est masqué pour "
         "protéger les personnes qui ont signalé.",
         "{1} : masqué pour qu'un petit nombre ne puisse pas être déduit des "
         "totaux.",
         "Les autres chiffres sont arrondis au multiple de {1} le plus "
         "proche ; chaque total est arrondi séparément, la somme des lignes "
         "peut donc différer du total.",
         "Un signalement peut compter dans plusieurs catégories ou besoins : "
         "les totaux comptent des signalements, pas la somme des lignes.",
         "Un bruit aléatoire a été ajouté avant l'arrondi (Laplace discrète, "
         "epsilon = {1}) : de petites différences ne signifient rien.",
         "Brouillon à usage interne : non inscrit au registre des "
         "publications.",
         "Combiné à partir des chiffres publiés de {1} organisations, déjà "
         "protégés ; un signalement envoyé à deux organisations compte deux "
         "fois.",
         "Seules les plus grandes séries sont tracées ; le tableau les a "
         "toutes.",
         "période",
         "type d'incident",
         "auteur",
         "région",
         "langue de la personne",
         "besoins exprimés"},
    [STATS_L_PT] =
        {"Relatos recebidos por {1}",
         " e ",
         "Total",
         "Relatos",
         "Relatos recebidos de {1} a {2}. Exportado em {3}.",
         "Estes números contam os relatos recebidos pela organização. Não "
         "medem a frequência das violações: a maioria nunca é relatada.",
         "{1}: menos de {2} relatos; o número exato é ocultado para proteger "
         "quem relatou.",
         "{1}: ocultado para que um número pequeno não possa ser deduzido dos "
         "totais.",
         "Os demais números são arredondados para o múltiplo de {1} mais "
         "próximo; cada total é arredondado separadamente, então as linhas "
         "podem não somar o total.",
         "Um relato pode contar em várias categorias ou necessidades: os "
         "totais contam relatos, não a soma das linhas.",
         "Foi adicionado ruído aleatório antes do arredondamento (Laplace "
         "discreta, épsilon = {1}), então pequenas diferenças não significam "
         "nada.",
         "Rascunho para uso interno: não registrado no registro de "
         "publicações.",
         "Combinado a partir dos números publicados de {1} organizações, já "
         "protegidos; um relato enviado a duas organizações conta duas vezes.",
         "Só as maiores séries são desenhadas; a tabela tem todas.",
         "período",
         "tipo de incidente",
         "agressor",
         "região",
         "idioma de quem relatou",
         "necessidades informadas"},
    [STATS_L_TH] = {"รายงานที่ได้รับ จำแนกตาม{1}",
                    " และ",
                    "รวม",
                    "รายงาน",
                    "รายงานที่ได้รับตั้งแต่ {1} ถึง {2} ส่งออกเมื่อ {3}",
                    "ตัวเลขเหล่านี้นับจำนวนรายงานที่องค์กรได้รับ "
                    "ไม่ใช่การวัดว่าการละเมิดเกิดขึ้นบ่อยเพียงใด "
                    "การละเมิดส่วนใหญ่ไม่เคยถูกรายงาน",
                    "{1}: น้อยกว่า {2} รายงาน ซ่อนตัวเลขที่แท้จริงเพื่อปกป้องผู้แจ้ง",
                    "{1}: ซ่อนไว้เพื่อไม่ให้คำนวณตัวเลขที่น้อยย้อนกลับจากยอดรวมได้",
                    "ตัวเลขอื่นปัดเป็นพหุคูณของ {1} ที่ใกล้ที่สุด ยอดรวมแต่ละยอดปัดแยกกัน "
                    "ผลบวกของแถวจึงอาจไม่เท่ากับยอดรวม",
                    "รายงานหนึ่งฉบับอาจนับอยู่ในหลายประเภทหรือหลายความต้องการ "
                    "ยอดรวมนับจำนวนรายงาน ไม่ใช่ผลบวกของแถว",
                    "มีการเพิ่มสัญญาณรบกวนแบบสุ่มก่อนปัดเศษ (Laplace แบบไม่ต่อเนื่อง, "
                    "epsilon = {1}) ความต่างเล็กน้อยจึงไม่มีความหมาย",
                    "ฉบับร่างสำหรับใช้ภายใน ยังไม่ได้บันทึกในทะเบียนการเผยแพร่",
                    "รวมจากตัวเลขที่เผยแพร่แล้วของ {1} องค์กร ซึ่งได้รับการปกป้องแล้ว "
                    "รายงานที่ส่งถึงสององค์กรจะถูกนับสองครั้ง",
                    "แสดงเฉพาะชุดข้อมูลที่ใหญ่ที่สุด ตารางมีครบทั้งหมด",
                    "ช่วงเวลา",
                    "ประเภทเหตุการณ์",
                    "ผู้กระทำ",
                    "ภูมิภาค",
                    "ภาษาของผู้แจ้ง",
                    "ความต้องการที่แจ้ง"},
    [STATS_L_AR] =
        {"البلاغات الواردة حسب {1}",
         " و",
         "المجموع",
         "البلاغات",
         "البلاغات الواردة من {1} إلى {2}. صُدّرت في {3}.",
         "تحصي هذه الأرقام البلاغات التي تلقّتها المنظمة، وهي ليست مقياسًا "
         "لمدى تكرار الانتهاكات: فمعظم الانتهاكات لا يُبلَّغ عنها أبدًا.",
         "{1}: أقل من {2} بلاغات؛ الرقم الدقيق مخفي لحماية من أبلغوا.",
         "{1}: مخفي حتى لا يمكن استنتاج رقم صغير من المجاميع.",
         "الأرقام الأخرى مقرّبة إلى أقرب مضاعف لـ {1}؛ ويُقرَّب كل مجموع على "
         "حدة، لذا قد لا يساوي مجموع الصفوف المجموع الكلي.",
         "قد يُحتسب البلاغ الواحد في عدة فئات أو احتياجات: المجاميع تحصي "
         "البلاغات لا مجموع الصفوف.",
         "أُضيفت ضوضاء عشوائية قبل التقريب (لابلاس المنفصل، إبسيلون = {1})، "
         "لذا لا تعني الفروق الصغيرة شيئًا.",
         "مسودة للاستخدام الداخلي: غير مسجلة في سجل النشر.",
         "مجمّعة من الأرقام المنشورة لـ {1} منظمات، وهي محمية مسبقًا؛ البلاغ "
         "المرسل إلى منظمتين يُحتسب مرتين.",
         "تُرسم أكبر السلاسل فقط؛ الجدول يضمها جميعًا.",
         "الفترة",
         "نوع الحادثة",
         "الجاني",
         "المنطقة",
         "لغة المبلِّغ",
         "الاحتياجات المذكورة"},
};

/* Labels of codes: code, then en es fr pt-BR th ar. */
static const char *const LABELS[][1 + STATS_NLANG] = {
    {"physical-violence", "Physical violence", "Violencia física",
     "Violence physique", "Violência física", "ความรุนแรงทางร่างกาย", "عنف جسدي"},
    {"sexual-violence", "Sexual violence", "Violencia sexual",
     "Violence sexuelle", "Violência sexual", "ความรุนแรงทางเพศ", "عنف جنسي"},
    {"robbery", "Robbery", "Robo", "Vol", "Roubo", "การปล้น", "سرقة"},
    {"non-payment", "Non-payment", "Impago", "Non-paiement",
     "Falta de pagamento", "ไม่จ่ายเงิน", "عدم الدفع"},
    {"threats-stalking", "Threats or stalking", "Amenazas o acoso",
     "Menaces ou harcèlement", "Ameaças ou perseguição", "การข่มขู่หรือสะกดรอยตาม",
     "تهديد أو ملاحقة"},
    {"police-harassment", "Police harassment", "Acoso policial",
     "Harcèlement policier", "Assédio policial", "การคุกคามโดยตำรวจ",
     "مضايقة الشرطة"},
    {"police-extortion", "Police extortion", "Extorsión policial",
     "Extorsion policière", "Extorsão policial", "การรีดไถโดยตำรวจ",
     "ابتزاز الشرطة"},
    {"arrest-detention", "Arrest or detention", "Arresto o detención",
     "Arrestation ou détention", "Prisão ou detenção", "การจับกุมหรือคุมขัง",
     "اعتقال أو احتجاز"},
    {"immigration-raid", "Immigration raid", "Redada migratoria",
     "Descente de l'immigration", "Batida de imigração", "การบุกตรวจคนเข้าเมือง",
     "مداهمة الهجرة"},
    {"exploitation", "Exploitation", "Explotación", "Exploitation",
     "Exploração", "การแสวงประโยชน์", "استغلال"},
    {"service-discrimination", "Discrimination by services",
     "Discriminación en servicios", "Discrimination dans les services",
     "Discriminação em serviços", "การเลือกปฏิบัติในการรับบริการ",
     "تمييز في الخدمات"},
    {"housing-eviction", "Housing or eviction", "Vivienda o desalojo",
     "Logement ou expulsion", "Moradia ou despejo", "ที่อยู่อาศัยหรือการไล่ที่",
     "السكن أو الإخلاء"},
    {"client", "Client", "Cliente", "Client", "Cliente", "ลูกค้า", "زبون"},
    {"police", "Police", "Policía", "Police", "Polícia", "ตำรวจ", "الشرطة"},
    {"immigration", "Immigration officers", "Agentes de migración",
     "Agents de l'immigration", "Agentes de imigração", "เจ้าหน้าที่ตรวจคนเข้าเมือง",
     "موظفو الهجرة"},
    {"manager", "Manager", "Encargado/a", "Gérant·e", "Gerente", "ผู้จัดการ",
     "مدير"},
    {"landlord", "Landlord", "Casero/a", "Propriétaire", "Senhorio",
     "เจ้าของที่พัก", "مالك السكن"},
    {"partner", "Partner", "Pareja", "Partenaire", "Parceiro(a)", "คู่ครอง",
     "شريك"},
    {"health", "Health", "Salud", "Santé", "Saúde", "สุขภาพ", "صحة"},
    {"legal", "Legal help", "Ayuda legal", "Aide juridique", "Ajuda jurídica",
     "ความช่วยเหลือทางกฎหมาย", "مساعدة قانونية"},
    {"immigration-advice", "Immigration advice", "Asesoría migratoria",
     "Conseil en immigration", "Orientação migratória", "คำปรึกษาด้านการเข้าเมือง",
     "استشارة الهجرة"},
    {"housing", "Housing", "Vivienda", "Logement", "Moradia", "ที่อยู่อาศัย", "سكن"},
    {"safety", "Safety", "Seguridad", "Sécurité", "Segurança", "ความปลอดภัย",
     "سلامة"},
    {"other", "Other", "Otro", "Autre", "Outro", "อื่น ๆ", "أخرى"},
    {"unknown", "Unknown", "Desconocido", "Inconnu", "Desconhecido", "ไม่ทราบ",
     "غير معروف"},
    {"not-stated", "Not stated", "No indicado", "Non précisé", "Não informado",
     "ไม่ได้ระบุ", "غير مذكور"},
};

int
stats_lang_index(const char *lang)
{
    int i;

    for (i = 0; i < STATS_NLANG; i++)
        if (lang != NULL && strcmp(lang, LANGS[i]) == 0)
            return i;
    if (lang != NULL && strcmp(lang, "pt") == 0)
        return STATS_L_PT;
    return STATS_L_EN;
}

int
stats_lang_known(const char *lang)
{
    int i;

    for (i = 0; i < STATS_NLANG; i++)
        if (strcmp(lang, LANGS[i]) == 0)
            return 1;
    return strcmp(lang, "pt") == 0;
}

const char *
stats_label(int li, const char *code)
{
    size_t i;

    for (i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (strcmp(LABELS[i][0], code) == 0)
            return LABELS[i][1 + li];
    return code;
}

const char *
stats_lang_tag(int li)
{
    return (unsigned)li < STATS_NLANG ? LANGS[li] : LANGS[STATS_L_EN];
}

const char *
stats_msg(int li, enum stats_msg m)
{
    if ((unsigned)li >= STATS_NLANG)
        li = STATS_L_EN;
    return (unsigned)m < STATS_NMSG ? MSG[li][m] : "";
}
